"""Models as tests see them: prompt framings, the `Model` object, and the pool that loads them."""
