"""Every framing produces exactly these strings (docs/specs.md documents the same)."""

from __future__ import annotations

import pytest

from pytest_emergent.models.framing import FORMATS, TRANSCRIPT_STOP, Framed, Layout, Shot, frame, frame_messages

SHOTS = (Shot("What is 1 + 1?", "2"), Shot("What is 2 + 2?", "4"))


def chat(messages):
    return "|".join(f"{role}:{content}" for role, content in messages) + "|assistant:"


def test_qa_puts_each_shot_as_a_question_and_answer_a_blank_line_apart_and_stops_at_a_newline():
    framed = frame("What is 3 + 3?", "qa", shots=SHOTS)
    assert framed == Framed("Q: What is 1 + 1?\nA: 2\n\nQ: What is 2 + 2?\nA: 4\n\nQ: What is 3 + 3?\nA:", None, ("\n",))


def test_raw_and_t5_join_shots_with_a_blank_line_and_a_space_before_each_answer():
    assert frame("3 + 3 =", "raw", shots=[Shot("1 + 1 =", "2")]).text == "1 + 1 = 2\n\n3 + 3 ="
    assert frame("3 + 3 =", "raw").stop == ()
    assert frame("cola sentence: x", "t5").stop == ("\n",)


def test_no_space_is_added_where_the_prompt_or_the_answer_brings_one():
    assert frame("b", "raw", shots=[Shot("a\n", "yes")]).text == "a\nyes\n\nb"
    assert frame("b", "raw", shots=[Shot("a", " yes")]).text == "a yes\n\nb"


def test_a_task_prefix_comes_once_before_everything_a_blank_line_apart():
    assert frame("x?", "qa", prefix="Answer briefly.").text == "Answer briefly.\n\nQ: x?\nA:"
    assert frame("x?", "qa", prefix="Answer briefly.\n").text == "Answer briefly.\nQ: x?\nA:"
    assert frame("x?", "qa", shots=SHOTS[:1], prefix="P").text == "P\n\nQ: What is 1 + 1?\nA: 2\n\nQ: x?\nA:"


def test_the_separators_are_settable_and_used_as_written():
    layout = Layout(shot_separator="\n###\n", answer_separator="\n", prefix_separator=" | ")
    assert frame("x?", "qa", shots=SHOTS[:1], prefix="P", layout=layout).text == \
        "P | Q: What is 1 + 1?\nA:\n2\n###\nQ: x?\nA:"
    assert frame("b", "raw", shots=[Shot("a\n", "yes")], layout=Layout(answer_separator=" ")).text == "a\n yes\n\nb"
    assert frame("x", "t5", shots=[Shot("a", "b")], layout=Layout(shot_separator="\n")).text == "a b\nx"


def test_the_old_single_newline_qa_layout_is_one_setting_away():
    framed = frame("What is 3 + 3?", "qa", shots=SHOTS, layout=Layout(shot_separator="\n"))
    assert framed.text == "Q: What is 1 + 1?\nA: 2\nQ: What is 2 + 2?\nA: 4\nQ: What is 3 + 3?\nA:"


def test_a_qa_answer_that_brings_its_own_space_gets_no_second_one():
    assert frame("y", "qa", shots=[Shot("x", " yes")]).text == "Q: x\nA: yes\n\nQ: y\nA:"


def test_instruct_without_a_template_is_the_instruction_as_written():
    assert frame("Name a colour.", "instruct") == Framed("Name a colour.")


def test_instruct_with_shots_and_no_template_is_a_transcript_that_stops_at_the_next_user_turn():
    framed = frame("x", "instruct", shots=[Shot("a", "b")], system="Be brief.")
    assert framed.text == "System: Be brief.\nUser: a\nAssistant: b\nUser: x\nAssistant:"
    assert framed.stop == TRANSCRIPT_STOP and framed.messages is None


def test_instruct_with_a_template_sends_the_turns_and_the_text_they_render_to():
    framed = frame("x", "instruct", shots=[Shot("a", "b")], prefix="P", render_chat=chat)
    assert framed.messages == (("user", "P\n\na"), ("assistant", "b"), ("user", "x"))
    assert framed.text == "user:P\n\na|assistant:b|user:x|assistant:" and framed.stop == ()


def test_a_conversation_without_a_template_is_always_a_transcript():
    assert frame_messages((("user", "hi"),), None) == Framed("User: hi\nAssistant:", None, TRANSCRIPT_STOP)


@pytest.mark.parametrize("format", [*FORMATS, None])
def test_every_framing_ends_with_the_prompt_itself(format):
    assert "What is 3 + 3?" in frame("What is 3 + 3?", format).text


def test_an_unknown_framing_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown prompt format 'chat'; expected one of qa, t5, instruct, raw"):
        frame("x", "chat")
