"""Request and response models of the API (pydantic), and the error shape."""
