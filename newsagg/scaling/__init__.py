"""Scaling out (NEWSAGG_BACKEND=redis): many worker processes crawl one run of a site through
one Redis, which holds the run's queue, its journal of undecided articles and the state."""
