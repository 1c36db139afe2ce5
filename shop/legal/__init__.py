"""The shop's legal texts and the rules that follow from them: the lapse consent a buyer gives
for content delivered at once, the withdrawal notice, and which product kinds ask for which.
Uses nothing of the shop; every context may use it."""
