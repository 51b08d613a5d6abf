"""Lecture checks: takes nothing but the theory (and, if given, the GAN runs of an output
folder), and gives numerical checks of the course's statements with one figure each."""
