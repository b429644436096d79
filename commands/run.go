package commands

import (
	"context"
)

// The thin handlers' adapters: a table entry names the service call, and
// these parse, call and answer around it.

// parsedBy makes a table's Parse of a typed parser that needs no Config.
func parsedBy[T any](parse func([]string) (T, error)) func([]string, Config) (any, error) {
	return func(words []string, _ Config) (any, error) {
		args, err := parse(words)
		if err != nil {
			return nil, err
		}
		return args, nil
	}
}

// told is the Run of a command whose answer is one message, shown
// privately to the person who asked (tell).
func told(f func(context.Context, *Bot, *Invocation) (Message, error)) func(context.Context, *Bot, *Invocation) error {
	return func(ctx context.Context, b *Bot, inv *Invocation) error {
		m, err := f(ctx, b, inv)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	}
}

// replyWith is told for a command whose parsed arguments are T.
func replyWith[T any](f func(context.Context, *Bot, *Invocation, T) (Message, error)) func(context.Context, *Bot, *Invocation) error {
	return told(func(ctx context.Context, b *Bot, inv *Invocation) (Message, error) {
		args, err := argsOf[T](inv)
		if err != nil {
			return Message{}, err
		}
		return f(ctx, b, inv, args)
	})
}
