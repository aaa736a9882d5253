"""The front ends: each turns one `Answer` into what its users see. `cli` is the terminal
(`dateline`), `discord` the bot."""
