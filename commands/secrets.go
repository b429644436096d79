package commands

import (
	"dobot"
	"dobot/secrets"
)

// Masked stands for a value the bot will not show or store (dobot.Masked).
const Masked = dobot.Masked

// SecretLooking is dobot.SecretLooking.
func SecretLooking(key string) bool { return dobot.SecretLooking(key) }

// MaskCommand is secrets.MaskCommand: command text with every secret
// value masked.
func MaskCommand(text string) string { return secrets.MaskCommand(text) }

// MaxCommandText is the longest command text the bot accepts or stores.
const MaxCommandText = secrets.MaxCommandText
