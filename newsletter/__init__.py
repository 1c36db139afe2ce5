"""The newsletter: double opt-in sign-up, issues sent once to each subscriber, one-click
unsubscribe. Never imports the shop: buying subscribes nobody."""
