"""Learning across reviews (DESIGN §6): what crosses the boundary of one review, over every review a
person may see."""
