package commands

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/docloud"
)

// vault keeps secret values out of the database in the clear. An operation
// stores a secret sealed (AES-GCM) from the command until the request that
// needs it is sent; then the sealed value is dropped too (scrubSecrets).
// SQLite keeps old page images in its WAL and in free pages, so a value
// stored in the clear even briefly would stay readable in the file.
//
// The key is never in the database: the bot derives it from the audit key
// (Deps.SecretKey), so a request waiting for approval keeps its secrets
// across a restart, and every replica sharing BOT_AUDIT_KEY can send them.
// Without a key (tests that do not care) a random one is used, and a
// restart then loses the secrets: the operation fails and says so.
type vault struct {
	aead cipher.AEAD
}

// sealedPrefix marks a sealed value in stored arguments.
const sealedPrefix = "dobot-sealed:v1:"

func newVault(key []byte) (*vault, error) {
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("make the key for secret values: %w", err)
		}
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("the key for secret values has %d bytes; want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &vault{aead: aead}, nil
}

func (v *vault) seal(plain string) string {
	nonce := make([]byte, v.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(v.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// errSecretLost says why an operation cannot send its secrets.
var errSecretLost = &UserError{Msg: "The secret values of this request cannot be opened: the bot's key changed since it was asked for (was BOT_AUDIT_KEY or its key file replaced?). Nothing was sent to DigitalOcean; run the command again."}

// open returns the plain value of s, which may not be sealed at all.
func (v *vault) open(s string) (string, error) {
	body, ok := strings.CutPrefix(s, sealedPrefix)
	if !ok {
		return s, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	n := v.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", errSecretLost
	}
	plain, err := v.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", errSecretLost
	}
	return string(plain), nil
}

// sealLaunch returns args with every secret value sealed, for storing.
func (v *vault) sealLaunch(args LaunchArgs) LaunchArgs {
	env := make([][2]string, len(args.Env))
	for i, kv := range args.Env {
		env[i] = kv
		if args.isSecret(kv[0]) && kv[1] != "" {
			env[i][1] = v.seal(kv[1])
		}
	}
	args.Env = env
	args.From = v.sealSource(args.From)
	return args
}

// openLaunch returns args with every sealed value opened, for sending.
func (v *vault) openLaunch(args LaunchArgs) (LaunchArgs, error) {
	env := make([][2]string, len(args.Env))
	for i, kv := range args.Env {
		plain, err := v.open(kv[1])
		if err != nil {
			return args, err
		}
		env[i] = [2]string{kv[0], plain}
	}
	args.Env = env
	var err error
	args.From, err = v.openSource(args.From)
	return args, err
}

// sealSpec returns a copy of spec with every SECRET value sealed, except
// those DigitalOcean already encrypted.
func (v *vault) sealSpec(spec *godo.AppSpec) *godo.AppSpec {
	out := docloud.CopySpec(spec)
	docloud.ForEachEnv(out, func(e *godo.AppVariableDefinition) {
		if e.Type == godo.AppVariableType_Secret && e.Value != "" && !docloud.IsSealed(e.Value) && !strings.HasPrefix(e.Value, sealedPrefix) {
			e.Value = v.seal(e.Value)
		}
	})
	return out
}

// openSpec returns a copy of spec with every sealed value opened.
func (v *vault) openSpec(spec *godo.AppSpec) (*godo.AppSpec, error) {
	out := docloud.CopySpec(spec)
	var err error
	docloud.ForEachEnv(out, func(e *godo.AppVariableDefinition) {
		if err == nil {
			e.Value, err = v.open(e.Value)
		}
	})
	return out, err
}
