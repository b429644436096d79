package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"dobot"
)

const opColumns = `id, action, app, state, requester, requester_name, channel,
	message_ts, response_url, command_text, args, reason, resource_id,
	deployment_id, decider, decided_at, error, created_at, updated_at, expires_at, lock_key,
	step, external_id`

// unfinishedStates is the SQL list of states that hold a lock. It must match
// the WHERE of the operations_one_unfinished_per_lock index.
const unfinishedStates = `('requested', 'awaiting_approval', 'running')`

// CreateOperation stores op as a new operation and returns it with ID,
// CreatedAt and UpdatedAt filled in (State defaults to requested, Lock to
// dobot.AppLock(op.App)). When another
// unfinished operation already holds op.Lock, it returns a *dobot.BusyError
// naming that operation. The database's unique index decides, so two
// concurrent requests for one app cannot both get through.
func (db *DB) CreateOperation(ctx context.Context, op dobot.Operation) (dobot.Operation, error) {
	if op.State == "" {
		op.State = dobot.OpRequested
	}
	if op.Lock == "" {
		op.Lock = dobot.AppLock(op.App)
	}
	if op.Step == "" {
		op.Step = dobot.StepCreated
	}
	now := db.now()
	op.CreatedAt, op.UpdatedAt = now, now
	op.DecidedAt, op.ExpiresAt = normTime(op.DecidedAt), normTime(op.ExpiresAt)

	err := db.writeTx(ctx, func(tx *txn) error {
		err := tx.Attempt(ctx, func() error {
			return tx.QueryRowContext(ctx, `
			INSERT INTO operations (action, app, state, requester, requester_name, channel,
				message_ts, response_url, command_text, args, reason, resource_id,
				deployment_id, decider, decided_at, error, created_at, updated_at, expires_at, lock_key,
				step, external_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`,
				op.Action, op.App, string(op.State), op.Requester, op.RequesterName, op.Channel,
				op.MessageTS, op.ResponseURL, op.CommandText, op.Args, op.Reason, op.ResourceID,
				op.DeploymentID, op.Decider, formatTime(op.DecidedAt), op.Error,
				formatTime(op.CreatedAt), formatTime(op.UpdatedAt), formatTime(op.ExpiresAt), op.Lock,
				string(op.Step), op.ExternalID).Scan(&op.ID)
		})
		if err != nil {
			return busyOr(ctx, tx, op.Lock, err)
		}
		return nil
	})
	if err != nil {
		return dobot.Operation{}, fmt.Errorf("create operation %s %q: %w", op.Action, op.App, err)
	}
	return op, nil
}

// Operation returns the operation with id, or an error wrapping
// dobot.ErrNotFound.
func (db *DB) Operation(ctx context.Context, id int64) (dobot.Operation, error) {
	op, err := scanOperation(db.sql.QueryRowContext(ctx,
		`SELECT `+opColumns+` FROM operations WHERE id = ?`, id))
	if err != nil {
		return dobot.Operation{}, fmt.Errorf("operation %d: %w", id, err)
	}
	return op, nil
}

// UpdateOperation writes every field of op except ID and CreatedAt to the
// operation with op.ID, and sets its UpdatedAt. To change State safely under
// concurrency, use Transition instead.
func (db *DB) UpdateOperation(ctx context.Context, op dobot.Operation) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		op.UpdatedAt = db.now()
		return saveOperation(ctx, tx, op)
	})
	if err != nil {
		return fmt.Errorf("update operation %d: %w", op.ID, err)
	}
	return nil
}

// Transition moves operation id to state to if, and only if, its current
// state is one of from; this is how a decision is taken exactly once when
// several people click at the same time. On success it applies mutate (when
// not nil) to the loaded operation, sets State and UpdatedAt, saves it and
// returns (op, true, nil). Otherwise it changes nothing and returns the
// current operation and false.
func (db *DB) Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState,
	mutate func(*dobot.Operation)) (dobot.Operation, bool, error) {
	op, won, _, err := db.transition(ctx, id, from, to, mutate, nil)
	return op, won, err
}

// Decide is Transition for a decision on a request (approve, deny,
// withdraw, expire): the audit row that entry builds from the changed
// operation is appended in the same transaction, so the decision never takes
// effect without its record. It also marks the request's card as not yet
// showing the decision, until CardShown; PendingCards lists such requests
// after a restart. It returns the stored audit row when the change was made.
func (db *DB) Decide(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState,
	mutate func(*dobot.Operation), entry func(dobot.Operation) dobot.AuditEntry) (dobot.Operation, bool, dobot.AuditEntry, error) {
	if entry == nil {
		return dobot.Operation{}, false, dobot.AuditEntry{}, fmt.Errorf("decide operation %d: no audit entry", id)
	}
	return db.transition(ctx, id, from, to, mutate, entry)
}

func (db *DB) transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState,
	mutate func(*dobot.Operation), entry func(dobot.Operation) dobot.AuditEntry) (dobot.Operation, bool, dobot.AuditEntry, error) {
	var (
		op     dobot.Operation
		won    bool
		stored dobot.AuditEntry
	)
	err := db.writeTx(ctx, func(tx *txn) error {
		var err error
		op, err = scanOperation(tx.QueryRowContext(ctx,
			`SELECT `+opColumns+` FROM operations WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if !slices.Contains(from, op.State) {
			return nil
		}
		if mutate != nil {
			mutate(&op)
		}
		op.ID = id // mutate may not move the change to another row
		op.State = to
		op.UpdatedAt = db.now()
		if err := saveOperation(ctx, tx, op); err != nil {
			return err
		}
		if entry != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE operations SET card_pending = 1 WHERE id = ?`, id); err != nil {
				return err
			}
			if stored, err = db.appendAuditTx(ctx, tx, entry(op)); err != nil {
				return err
			}
		}
		won = true
		return nil
	})
	if err != nil {
		return dobot.Operation{}, false, dobot.AuditEntry{}, fmt.Errorf("transition operation %d to %s: %w", id, to, err)
	}
	return op, won, stored, nil
}

// CardShown records that a decided request's card now shows the decision.
func (db *DB) CardShown(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE operations SET card_pending = 0 WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("card of operation %d shown: %w", id, err)
	}
	return nil
}

// PendingCards lists decided requests whose card does not show the decision
// yet, oldest first: the bot stopped between deciding and updating the card.
func (db *DB) PendingCards(ctx context.Context) ([]dobot.Operation, error) {
	ops, err := db.queryOperations(ctx,
		`SELECT `+opColumns+` FROM operations WHERE card_pending = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("pending cards: %w", err)
	}
	return ops, nil
}

// RecordCreation saves op, which now carries the DigitalOcean id of what it
// created, and stores app as managed, in one transaction: a crash cannot
// leave a created resource on the operation but unknown to the bot (no
// teardown, no TTL). On error neither is written.
func (db *DB) RecordCreation(ctx context.Context, op dobot.Operation, app dobot.App) error {
	if app.Name == "" {
		return errors.New("record creation: empty app name")
	}
	if app.CreatedAt.IsZero() {
		app.CreatedAt = db.now()
	}
	err := db.writeTx(ctx, func(tx *txn) error {
		op.UpdatedAt = db.now()
		if err := saveOperation(ctx, tx, op); err != nil {
			return err
		}
		return putApp(ctx, tx, app)
	})
	if err != nil {
		return fmt.Errorf("record creation of %q by operation %d: %w", app.Name, op.ID, err)
	}
	return nil
}

// UnfinishedOperations lists operations not yet in a final state, oldest
// first, so the bot can resume or report them after a restart.
func (db *DB) UnfinishedOperations(ctx context.Context) ([]dobot.Operation, error) {
	return cached(db, "unfinished", cloneOperations, func() ([]dobot.Operation, error) { return db.queryUnfinishedOperations(ctx) })
}

func (db *DB) queryUnfinishedOperations(ctx context.Context) ([]dobot.Operation, error) {
	ops, err := db.queryOperations(ctx,
		`SELECT `+opColumns+` FROM operations WHERE state IN `+unfinishedStates+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("unfinished operations: %w", err)
	}
	return ops, nil
}

// ActiveOperation returns the unfinished operation holding the app or
// droplet called app, or an error wrapping dobot.ErrNotFound when it is free.
func (db *DB) ActiveOperation(ctx context.Context, app string) (dobot.Operation, error) {
	op, err := activeOperation(ctx, db.sql, dobot.AppLock(app))
	if err != nil {
		return dobot.Operation{}, fmt.Errorf("active operation for %q: %w", app, err)
	}
	return op, nil
}

// ExpiredApprovals lists operations awaiting approval whose deadline is at or
// before now, oldest first.
func (db *DB) ExpiredApprovals(ctx context.Context, now time.Time) ([]dobot.Operation, error) {
	ops, err := db.queryOperations(ctx, `
		SELECT `+opColumns+` FROM operations
		WHERE state = 'awaiting_approval' AND expires_at <> '' AND expires_at <= ?
		ORDER BY id`, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("expired approvals: %w", err)
	}
	return ops, nil
}

// queryer is what conn and txn have in common.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// activeOperation returns the unfinished operation holding lock.
func activeOperation(ctx context.Context, q queryer, lock string) (dobot.Operation, error) {
	return scanOperation(q.QueryRowContext(ctx,
		`SELECT `+opColumns+` FROM operations
		WHERE lock_key = ? AND lock_key <> '' AND state IN `+unfinishedStates+` LIMIT 1`, lock))
}

// saveOperation writes op's mutable fields by ID. The lock is fixed at
// creation and not among them.
func saveOperation(ctx context.Context, tx *txn, op dobot.Operation) error {
	var res sql.Result
	err := tx.Attempt(ctx, func() error {
		var err error
		res, err = tx.ExecContext(ctx, `
		UPDATE operations SET action = ?, app = ?, state = ?, requester = ?,
			requester_name = ?, channel = ?, message_ts = ?, response_url = ?,
			command_text = ?, args = ?, reason = ?, resource_id = ?, deployment_id = ?,
			decider = ?, decided_at = ?, error = ?, updated_at = ?, expires_at = ?,
			step = ?, external_id = ?
		WHERE id = ?`,
			op.Action, op.App, string(op.State), op.Requester,
			op.RequesterName, op.Channel, op.MessageTS, op.ResponseURL,
			op.CommandText, op.Args, op.Reason, op.ResourceID, op.DeploymentID,
			op.Decider, formatTime(op.DecidedAt), op.Error, formatTime(op.UpdatedAt),
			formatTime(op.ExpiresAt), string(op.Step), op.ExternalID, op.ID)
		return err
	})
	if err != nil {
		return busyOr(ctx, tx, op.Lock, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return dobot.ErrNotFound
	}
	return nil
}

// busyOr turns a violation of the one-unfinished-operation-per-lock index
// into a *dobot.BusyError naming the holder, read in the same transaction
// (the failed statement ran in tx.attempt, so the transaction is usable).
// Other errors pass through.
func busyOr(ctx context.Context, tx *txn, lock string, err error) error {
	if !tx.D.UniqueViolation(err) {
		return err
	}
	holder, herr := activeOperation(ctx, tx, lock)
	if herr != nil {
		return errors.Join(err, fmt.Errorf("read holder of %q: %w", lock, herr))
	}
	return &dobot.BusyError{Holder: holder}
}

// queryOperations runs q, a fixed text, as a cached statement: status
// and list read the unfinished operations on every command.
func (db *DB) queryOperations(ctx context.Context, q string, args ...any) ([]dobot.Operation, error) {
	rows, err := db.queryPrepared(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var ops []dobot.Operation
	for rows.Next() {
		op, err := scanOperation(rows)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, rows.Err()
}

// scanOperation reads one row of opColumns; sql.ErrNoRows becomes ErrNotFound.
func scanOperation(s scanner) (dobot.Operation, error) {
	var (
		op                                   dobot.Operation
		state, step                          string
		decidedAt, createdAt, updatedAt, exp string
	)
	err := s.Scan(&op.ID, &op.Action, &op.App, &state, &op.Requester, &op.RequesterName,
		&op.Channel, &op.MessageTS, &op.ResponseURL, &op.CommandText, &op.Args, &op.Reason,
		&op.ResourceID, &op.DeploymentID, &op.Decider, &decidedAt, &op.Error,
		&createdAt, &updatedAt, &exp, &op.Lock, &step, &op.ExternalID)
	if errors.Is(err, sql.ErrNoRows) {
		return dobot.Operation{}, dobot.ErrNotFound
	}
	if err != nil {
		return dobot.Operation{}, err
	}
	op.State, op.Step = dobot.OpState(state), dobot.OpStep(step)
	for _, t := range []struct {
		dst *time.Time
		src string
	}{
		{&op.DecidedAt, decidedAt}, {&op.CreatedAt, createdAt},
		{&op.UpdatedAt, updatedAt}, {&op.ExpiresAt, exp},
	} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return dobot.Operation{}, fmt.Errorf("operation %d: %w", op.ID, err)
		}
	}
	return op, nil
}
