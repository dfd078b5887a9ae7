"""The FastAPI application, the HTML pages, authentication and the command line."""
