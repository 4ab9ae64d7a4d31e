"""What the bot keeps per Telegram user: saved profiles, questions and 👍/👎 ratings, language
choices (one SQL database: `state.database`) and, with Redis, the follow-up memory shared by
replicas. Keyed by user, serving the bot; `retrieval/` answers questions and never imports it
(only the composition root, `retrieval/services.py`, builds these stores)."""
