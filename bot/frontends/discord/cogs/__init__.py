"""The bot's extensions, loaded in `setup_hook` and hot-reloaded by `/admin reload-extensions`."""
