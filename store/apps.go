package store

import (
	"context"
	"database/sql"
	"dobot/store/internal/sqldb"
	"errors"
	"fmt"
	"time"

	"dobot"
)

const appColumns = `name, kind, resource_id, region, image, owner, channel, thread_ts, created_at,
	size, instances, monthly_cents, expires_at, reminded, adopted, image_digest`

// PutApp stores app, replacing any app of the same name. A zero CreatedAt is
// set from the store clock.
func (db *DB) PutApp(ctx context.Context, app dobot.App) error {
	if app.Name == "" {
		return errors.New("put app: empty name")
	}
	if app.CreatedAt.IsZero() {
		app.CreatedAt = db.now()
	}
	err := db.writeTx(ctx, func(tx *txn) error { return putApp(ctx, tx, app) })
	if err != nil {
		return fmt.Errorf("put app %q: %w", app.Name, err)
	}
	return nil
}

// putApp writes app inside tx, replacing any app of the same name.
func putApp(ctx context.Context, tx *txn, app dobot.App) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO apps (`+appColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			size = excluded.size,
			instances = excluded.instances,
			monthly_cents = excluded.monthly_cents,
			expires_at = excluded.expires_at,
			reminded = excluded.reminded,
			adopted = excluded.adopted,
			kind = excluded.kind,
			resource_id = excluded.resource_id,
			region = excluded.region,
			image = excluded.image,
			image_digest = excluded.image_digest,
			owner = excluded.owner,
			channel = excluded.channel,
			thread_ts = excluded.thread_ts,
			created_at = excluded.created_at`,
		app.Name, app.Kind, app.ResourceID, app.Region, app.Image,
		app.Owner, app.Channel, app.ThreadTS, formatTime(app.CreatedAt),
		app.Size, app.Instances, app.MonthlyCents, formatTime(app.ExpiresAt), app.Reminded, app.Adopted, app.ImageDigest)
	return err
}

// App returns the app called name, or an error wrapping dobot.ErrNotFound.
func (db *DB) App(ctx context.Context, name string) (dobot.App, error) {
	return cached(db, "app:"+name, same, func() (dobot.App, error) { return db.queryApp(ctx, name) })
}

func (db *DB) queryApp(ctx context.Context, name string) (dobot.App, error) {
	row := db.sql.QueryRowContext(ctx,
		`SELECT `+appColumns+` FROM apps WHERE name = ?`, name)
	app, err := scanApp(row)
	if err != nil {
		return dobot.App{}, fmt.Errorf("app %q: %w", name, err)
	}
	return app, nil
}

// AppByResourceID returns the app whose DigitalOcean id is id, or an error
// wrapping dobot.ErrNotFound.
func (db *DB) AppByResourceID(ctx context.Context, id string) (dobot.App, error) {
	if id == "" {
		// Apps whose launch has not returned an id yet all have "".
		return dobot.App{}, fmt.Errorf("app with resource id %q: %w", id, dobot.ErrNotFound)
	}
	row := db.sql.QueryRowContext(ctx,
		`SELECT `+appColumns+` FROM apps WHERE resource_id = ? ORDER BY name LIMIT 1`, id)
	app, err := scanApp(row)
	if err != nil {
		return dobot.App{}, fmt.Errorf("app with resource id %q: %w", id, err)
	}
	return app, nil
}

// Apps lists every app, sorted by name.
func (db *DB) Apps(ctx context.Context) ([]dobot.App, error) {
	return cached(db, "apps", cloneApps, func() ([]dobot.App, error) { return db.queryApps(ctx) })
}

func (db *DB) queryApps(ctx context.Context) ([]dobot.App, error) {
	rows, err := db.queryPrepared(ctx, `SELECT `+appColumns+` FROM apps ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("apps: %w", err)
	}
	apps, err := sqldb.ScanAll(rows, scanApp)
	if err != nil {
		return nil, fmt.Errorf("apps: %w", err)
	}
	return apps, nil
}

// DeleteApp forgets the app called name. It returns an error wrapping
// dobot.ErrNotFound when there was no such app.
func (db *DB) DeleteApp(ctx context.Context, name string) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		n, err := sqldb.ExecCount(ctx, tx, `DELETE FROM apps WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n == 0 {
			return dobot.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete app %q: %w", name, err)
	}
	return nil
}

// scanApp reads one row of appColumns; sql.ErrNoRows becomes ErrNotFound.
func scanApp(s scanner) (dobot.App, error) {
	var (
		app     dobot.App
		at, exp string
	)
	err := s.Scan(&app.Name, &app.Kind, &app.ResourceID, &app.Region, &app.Image,
		&app.Owner, &app.Channel, &app.ThreadTS, &at,
		&app.Size, &app.Instances, &app.MonthlyCents, &exp, &app.Reminded, &app.Adopted, &app.ImageDigest)
	if errors.Is(err, sql.ErrNoRows) {
		return dobot.App{}, dobot.ErrNotFound
	}
	if err != nil {
		return dobot.App{}, err
	}
	if app.CreatedAt, err = parseTime(at); err != nil {
		return dobot.App{}, err
	}
	if app.ExpiresAt, err = parseTime(exp); err != nil {
		return dobot.App{}, err
	}
	return app, nil
}

// UpdateAppExpiry sets an app's expiry and reminder flag only if its expiry
// is still from, so two changes at once cannot undo each other and a
// deleted app is never brought back. It reports whether it changed a row.
func (db *DB) UpdateAppExpiry(ctx context.Context, name string, from, to time.Time, reminded bool) (bool, error) {
	var changed bool
	err := db.writeTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE apps SET expires_at = ?, reminded = ? WHERE name = ? AND expires_at = ?`,
			formatTime(to), reminded, name, formatTime(from))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		changed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("update expiry of app %q: %w", name, err)
	}
	return changed, nil
}

// SetAppImage records the image an app now runs and the digest its tag
// resolved to ("" when unknown), if the app is still there.
func (db *DB) SetAppImage(ctx context.Context, name, image, digest string) error {
	err := db.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE apps SET image = ?, image_digest = ? WHERE name = ?`, image, digest, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("set image of app %q: %w", name, err)
	}
	return nil
}
