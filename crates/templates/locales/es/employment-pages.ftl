## Employment pages.
