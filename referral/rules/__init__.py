"""The rules both environments use: matter codes, the city's regions, standards and stations,
the eligibility engine, decision deadlines, statute citations and what the referral API accepts.

Plain Python plus PyYAML and chinesecalendar: nothing here may import FastAPI, SQLAlchemy or
any other service-only module (tests/rules/test_imports.py checks it), because the bot's
environment (Rasa's pins) imports these modules as they are.
"""
