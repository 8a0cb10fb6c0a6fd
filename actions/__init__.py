"""Custom actions of the legal-aid assistant (rasa-sdk). Thin: rules live in referral/."""
