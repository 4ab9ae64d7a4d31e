"""What the bot keeps per Telegram user: saved profiles, questions and 👍/👎 ratings, language
choices (one SQL database: `state.database`) and, with Redis, the follow-up memory shared by
replicas. Keyed by user, serving the bot; in `retrieval/` only the composition root,
`retrieval/services.py`, imports it, to build these stores."""
