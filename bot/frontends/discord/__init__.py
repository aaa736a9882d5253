"""The Discord front end: a thin `commands.Bot` with cogs over `KnowledgeService`.

`launcher.run_bot` starts it (`dateline run`); `bot.DatelineBot` holds the service and the
store; `cogs/` turn Discord events into questions; `render` builds every embed and message
within Discord's limits; `views` holds the buttons. docs/discord.md explains the set-up.
"""
