package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"dobot"
)

// cachedReads are the reads the cache serves, each summed up in a string
// that shows what a change would change.
func cachedReads(ctx context.Context, db *DB) map[string]func() (string, error) {
	return map[string]func() (string, error){
		"Role(U1)": func() (string, error) {
			r, err := db.Role(ctx, "U1")
			return r.String(), err
		},
		"Apps": func() (string, error) {
			apps, err := db.Apps(ctx)
			s := ""
			for _, a := range apps {
				s += fmt.Sprintf("%s@%s ", a.Name, a.Region)
			}
			return s, err
		},
		"App(web)": func() (string, error) {
			a, err := db.App(ctx, "web")
			return a.Region, err
		},
		"App(new)": func() (string, error) {
			a, err := db.App(ctx, "new")
			if errors.Is(err, dobot.ErrNotFound) {
				return "not found", nil
			}
			return a.Region, err
		},
		"UnfinishedOperations": func() (string, error) {
			ops, err := db.UnfinishedOperations(ctx)
			s := ""
			for _, op := range ops {
				s += fmt.Sprintf("%s:%s ", op.App, op.State)
			}
			return s, err
		},
	}
}

func readAll(t *testing.T, reads map[string]func() (string, error)) map[string]string {
	t.Helper()
	got := map[string]string{}
	for name, read := range reads {
		v, err := read()
		if err != nil {
			t.Fatalf("%s = %v", name, err)
		}
		got[name] = v
	}
	return got
}

// seedCacheTest gives U1 a role and the store an app and an unfinished
// operation, with UADMIN as the admin every demotion needs.
func seedCacheTest(t *testing.T, db *DB) dobot.Operation {
	t.Helper()
	ctx := context.Background()
	for _, err := range []error{
		db.SetRole(ctx, "UADMIN", dobot.RoleAdmin, "test"),
		db.SetRole(ctx, "U1", dobot.RoleViewer, "UADMIN"),
		db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", Region: "nyc"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	op, err := db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "web", State: dobot.OpRunning})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// TestReadsServedFromMemory changes the rows behind the store's back: the
// second reads still give what the first read, so they never reached the
// database, until the store's own next commit.
func TestReadsServedFromMemory(t *testing.T) {
	ctx := context.Background()
	db, _, path := openTest(t)
	seedCacheTest(t, db)
	reads := cachedReads(ctx, db)
	first := readAll(t, reads)

	raw := rawOpen(t, path)
	for _, q := range []string{
		`UPDATE roles SET role = 3 WHERE user_id = 'U1'`,
		`UPDATE apps SET region = 'ams' WHERE name = 'web'`,
		`INSERT INTO apps (` + appColumns + `) SELECT 'new', kind, resource_id, 'sfo', image, owner, channel, thread_ts,
			created_at, size, instances, monthly_cents, expires_at, reminded, adopted, image_digest FROM apps WHERE name = 'web'`,
		`UPDATE operations SET state = 'succeeded'`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for name, want := range first {
		if got, _ := reads[name](); got != want {
			t.Errorf("%s after a change behind the store = %q; want %q from memory", name, got, want)
		}
	}

	if err := db.SetRole(ctx, "U2", dobot.RoleViewer, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	for name, old := range first {
		if got, _ := reads[name](); got == old {
			t.Errorf("%s after the store's next commit = %q, still the old answer", name, got)
		}
	}
}

// TestEveryWriteDropsCachedReads: once a write returns, the next read of
// what it changed sees the change, though the read before it was cached.
func TestEveryWriteDropsCachedReads(t *testing.T) {
	ctx := context.Background()
	db, clock, _ := openTest(t)
	op := seedCacheTest(t, db)
	reads := cachedReads(ctx, db)
	expiry := t0.Add(time.Hour)

	steps := []struct {
		name  string
		write func() error
		read  string
		want  string
	}{
		{"SetRole", func() error { return db.SetRole(ctx, "U1", dobot.RoleDeployer, "UADMIN") }, "Role(U1)", "deployer"},
		{"EnsureAdmins", func() error { return db.EnsureAdmins(ctx, []string{"U1"}) }, "Role(U1)", "admin"},
		{"RevokeRole", func() error { _, err := db.RevokeRole(ctx, "U1"); return err }, "Role(U1)", "none"},
		{"PutApp insert", func() error { return db.PutApp(ctx, dobot.App{Name: "new", Kind: "app", Region: "sfo"}) }, "App(new)", "sfo"},
		{"PutApp insert, listed", func() error { return nil }, "Apps", "new@sfo web@nyc "},
		{"PutApp update", func() error { return db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", Region: "ams"}) }, "App(web)", "ams"},
		{"PutApp update, listed", func() error { return nil }, "Apps", "new@sfo web@ams "},
		{"UpdateAppExpiry", func() error {
			_, err := db.UpdateAppExpiry(ctx, "web", time.Time{}, expiry, false)
			return err
		}, "Apps", "new@sfo web@ams "},
		{"SetAppImage", func() error { return db.SetAppImage(ctx, "web", "nginx", "") }, "App(web)", "ams"},
		{"DeleteApp", func() error { return db.DeleteApp(ctx, "new") }, "App(new)", "not found"},
		{"DeleteApp, listed", func() error { return nil }, "Apps", "web@ams "},
		{"CreateOperation", func() error {
			_, err := db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "api", State: dobot.OpRequested})
			return err
		}, "UnfinishedOperations", "web:running api:requested "},
		{"UpdateOperation", func() error {
			op.State = dobot.OpAwaitingApproval
			return db.UpdateOperation(ctx, op)
		}, "UnfinishedOperations", "web:awaiting_approval api:requested "},
		{"Transition", func() error {
			_, _, err := db.Transition(ctx, op.ID, []dobot.OpState{dobot.OpAwaitingApproval}, dobot.OpSucceeded, nil)
			return err
		}, "UnfinishedOperations", "api:requested "},
	}
	for _, s := range steps {
		clock.Advance(time.Second)
		if _, err := reads[s.read](); err != nil { // cache the answer before the write
			t.Fatalf("%s before %s = %v", s.read, s.name, err)
		}
		if err := s.write(); err != nil {
			t.Fatalf("%s = %v", s.name, err)
		}
		if got, err := reads[s.read](); err != nil || got != s.want {
			t.Errorf("%s after %s = %q, %v; want %q", s.read, s.name, got, err, s.want)
		}
	}
	// The fields the summaries leave out.
	if a, err := db.App(ctx, "web"); err != nil || a.Image != "nginx" || !a.ExpiresAt.Equal(expiry) {
		t.Errorf("App(web) after SetAppImage and UpdateAppExpiry = %+v, %v; want image nginx, expiry %v", a, err, expiry)
	}
}

// TestReadRacingCommitInstallsNothing: a read that queried before a commit
// and stores after it must not leave its stale answer for the next read.
func TestReadRacingCommitInstallsNothing(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTest(t)
	seedCacheTest(t, db)

	// The key below is the one Role uses: what is cached under it is what
	// Role answers.
	if _, err := cached(db, "role:U1", same, func() (dobot.Role, error) { return dobot.RoleApprover, nil }); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Role(ctx, "U1"); err != nil || r != dobot.RoleApprover {
		t.Fatalf("Role(U1) = %v, %v; want approver, as cached under role:U1", r, err)
	}
	db.reads.invalidate()

	got, err := cached(db, "role:U1", same, func() (dobot.Role, error) {
		r, err := db.queryRole(ctx, "U1")
		// The commit lands between this read's query and its put.
		if err := db.SetRole(ctx, "U1", dobot.RoleDeployer, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		return r, err
	})
	if err != nil || got != dobot.RoleViewer {
		t.Fatalf("racing read = %v, %v; want viewer, what it read", got, err)
	}
	if r, err := db.Role(ctx, "U1"); err != nil || r != dobot.RoleDeployer {
		t.Errorf("Role(U1) after the racing read = %v, %v; want deployer", r, err)
	}
}

// TestCachedAnswersAreCopies: what a caller does to a returned slice never
// reaches the next caller, whether it got the answer from the database or
// from memory.
func TestCachedAnswersAreCopies(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTest(t)
	seedCacheTest(t, db)

	for range 3 { // the first answer is read and stored, the others are hits
		apps, err := db.Apps(ctx)
		if err != nil || len(apps) != 1 || apps[0].Region != "nyc" {
			t.Fatalf("Apps() = %+v, %v; want web in nyc", apps, err)
		}
		apps[0].Region, apps[0].Name = "changed", "changed"
		ops, err := db.UnfinishedOperations(ctx)
		if err != nil || len(ops) != 1 || ops[0].App != "web" {
			t.Fatalf("UnfinishedOperations() = %+v, %v; want web's launch", ops, err)
		}
		ops[0].App, ops[0].State = "changed", dobot.OpFailed
	}
}

// TestCachedTypesHoldNoReferences: the cache copies slices of these types
// one level deep. A field that shares memory (a slice, map or pointer) would
// let one caller change what the next one reads: deep-copy it in
// cloneApps or cloneOperations, then list it here.
func TestCachedTypesHoldNoReferences(t *testing.T) {
	timeType := reflect.TypeFor[time.Time]()
	var check func(path string, typ reflect.Type)
	check = func(path string, typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Struct:
			if typ == timeType {
				return // an immutable value; its *Location is never changed
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				check(path+"."+f.Name, f.Type)
			}
		case reflect.Array:
			check(path+"[]", typ.Elem())
		case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface,
			reflect.Chan, reflect.Func, reflect.UnsafePointer:
			t.Errorf("%s is a %s: the read cache would share it between callers", path, typ.Kind())
		}
	}
	check("App", reflect.TypeFor[dobot.App]())
	check("Operation", reflect.TypeFor[dobot.Operation]())
}

// TestRolesConcurrently: readers and writers at once, each writer reading
// its own write the moment it returns, while others read the same user.
func TestRolesConcurrently(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTest(t)
	if err := db.SetRole(ctx, "UADMIN", dobot.RoleAdmin, "test"); err != nil {
		t.Fatal(err)
	}
	const writers, rounds = 4, 50
	cycle := []dobot.Role{dobot.RoleViewer, dobot.RoleDeployer, dobot.RoleApprover, dobot.RoleAdmin}
	var wg sync.WaitGroup
	for w := range writers {
		user, neighbour := fmt.Sprintf("U%d", w), fmt.Sprintf("U%d", (w+1)%writers)
		wg.Go(func() {
			for i := range rounds {
				want := cycle[(w+i)%len(cycle)]
				if err := db.SetRole(ctx, user, want, "UADMIN"); err != nil {
					t.Errorf("SetRole(%s, %v) = %v", user, want, err)
					return
				}
				if got, err := db.Role(ctx, user); err != nil || got != want {
					t.Errorf("Role(%s) right after SetRole(%v) = %v, %v", user, want, got, err)
					return
				}
				if _, err := db.Role(ctx, neighbour); err != nil {
					t.Errorf("Role(%s) = %v", neighbour, err)
					return
				}
			}
		})
		wg.Go(func() { // a reader of the same user, storing answers between commits
			for range rounds {
				if _, err := db.Role(ctx, user); err != nil {
					t.Errorf("Role(%s) = %v", user, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestStoresOnOneFileShareReadCache: two stores on one file in one process
// (the lock file lets them) drop each other's cached reads.
func TestStoresOnOneFileShareReadCache(t *testing.T) {
	ctx := context.Background()
	a, b, path := openTwice(t)
	if r, err := a.Role(ctx, "U1"); err != nil || r != dobot.RoleNone {
		t.Fatalf("Role(U1) = %v, %v; want none", r, err)
	}
	if err := b.SetRole(ctx, "U1", dobot.RoleAdmin, "test"); err != nil {
		t.Fatal(err)
	}
	if r, err := a.Role(ctx, "U1"); err != nil || r != dobot.RoleAdmin {
		t.Errorf("Role(U1) from one store after the other set it = %v, %v; want admin", r, err)
	}
	for _, db := range []*DB{a, b} {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	abs, _ := filepath.Abs(path)
	sharedReads.Lock()
	left := sharedReads.byPath[abs]
	sharedReads.Unlock()
	if left != nil {
		t.Errorf("the read cache of %s outlives its stores", path)
	}
}

// TestNoReadCacheWhereOthersWrite: on PostgreSQL other replicas write, and
// a read-only store reads a file a running bot writes, so neither caches.
func TestNoReadCacheWhereOthersWrite(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, be backend) {
		db, _, target := be.open(t)
		if be.name == "postgres" && db.reads != nil {
			t.Error("a PostgreSQL store has a read cache")
		}
		var key []byte
		if be.name == "sqlite" {
			var err error
			if key, err = ReadAuditKeyFile(AuditKeyPath(target)); err != nil {
				t.Fatal(err)
			}
		} else {
			key = testAuditKey
		}
		ro, err := OpenReadOnly(ctx, target, key)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		if ro.reads != nil {
			t.Error("a read-only store has a read cache")
		}
		// And so a write elsewhere is seen at once.
		if r, err := ro.Role(ctx, "U1"); err != nil || r != dobot.RoleNone {
			t.Fatalf("read-only Role(U1) = %v, %v; want none", r, err)
		}
		if err := db.SetRole(ctx, "U1", dobot.RoleAdmin, "test"); err != nil {
			t.Fatal(err)
		}
		if r, err := ro.Role(ctx, "U1"); err != nil || r != dobot.RoleAdmin {
			t.Errorf("read-only Role(U1) after the bot set it = %v, %v; want admin", r, err)
		}
	})
}

func TestReadCacheBounded(t *testing.T) {
	c := newReadCache()
	gen := c.snapshot()
	for i := range maxReadCacheEntries + 1 {
		c.put(fmt.Sprint(i), gen, i)
	}
	if n := len(c.entries); n > maxReadCacheEntries {
		t.Errorf("%d entries after %d puts; want at most %d", n, maxReadCacheEntries+1, maxReadCacheEntries)
	}
	if v, ok := c.get(fmt.Sprint(maxReadCacheEntries)); !ok || v != maxReadCacheEntries {
		t.Errorf("get(last put) = %v, %v; want it kept", v, ok)
	}
}

func TestNilReadCacheCachesNothing(t *testing.T) {
	var c *readCache
	c.put("k", c.snapshot(), 1)
	c.invalidate()
	if v, ok := c.get("k"); ok {
		t.Errorf("nil cache get(k) = %v, true; want a miss", v)
	}
}
