package e2e

import (
	"syscall"
	"time"

	"dobot/internal/slacktest"
)

type slacktestMessage = slacktest.Message

const (
	sigterm    = syscall.SIGTERM
	stopBudget = 10 * time.Second
)
