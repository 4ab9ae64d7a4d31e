"""Test doubles shared by every test folder and by the load benchmark: a fake Telegram Bot API
server (`fake_bot_api`), a fake OpenAI-compatible server (`fake_openai`), a recording bot
(`mocked_bot`), fake services and update builders (`fakes`), posting files in each supported
format (`posting_files`), a checker for Telegram's HTML (`telegram_html`), the corpus postings
parsed and a catalog over them (`corpus_postings`), and the real bot polling the fake Bot API
server (`polling`)."""
