"""What every feature builds on: the access gate, the registry of declarations, the callback context, menus, the
Feature hand-over, typed button data, the conversation kit, replies, problems and the general fallbacks."""
