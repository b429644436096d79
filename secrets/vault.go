package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/docloud"
	"dobot/reply"
)

// Vault keeps secret values out of the database in the clear. An operation
// stores a secret sealed (AES-GCM) from the command until the request that
// needs it is sent; then the sealed value is dropped too (ScrubSecrets).
// SQLite keeps old page images in its WAL and in free pages, so a value
// stored in the clear even briefly would stay readable in the file.
//
// The key is never in the database: the bot derives it from the audit key
// (Deps.SecretKey), so a request waiting for approval keeps its secrets
// across a restart, and every replica sharing BOT_AUDIT_KEY can send them.
// Without a key (tests that do not care) a random one is used, and a
// restart then loses the secrets: the operation fails and says so.
type Vault struct {
	aead cipher.AEAD
}

// sealedPrefix marks a sealed value in stored arguments.
const sealedPrefix = "dobot-sealed:v1:"

func NewVault(key []byte) (*Vault, error) {
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
	return &Vault{aead: aead}, nil
}

func (v *Vault) Seal(plain string) string {
	nonce := make([]byte, v.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(v.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// ErrSecretLost says why an operation cannot send its secrets.
var ErrSecretLost = &reply.UserError{Msg: "The secret values of this request cannot be opened: the bot's key changed since it was asked for (was BOT_AUDIT_KEY or its key file replaced?). Nothing was sent to DigitalOcean; run the command again."}

// Open returns the plain value of s, which may not be sealed at all.
func (v *Vault) Open(s string) (string, error) {
	body, ok := strings.CutPrefix(s, sealedPrefix)
	if !ok {
		return s, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	n := v.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", ErrSecretLost
	}
	plain, err := v.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrSecretLost
	}
	return string(plain), nil
}

// SealSpec returns a copy of spec with every SECRET value sealed, except
// those DigitalOcean already encrypted.
func (v *Vault) SealSpec(spec *godo.AppSpec) *godo.AppSpec {
	out := docloud.CopySpec(spec)
	docloud.ForEachEnv(out, func(e *godo.AppVariableDefinition) {
		if e.Type == godo.AppVariableType_Secret && e.Value != "" && !docloud.IsSealed(e.Value) && !strings.HasPrefix(e.Value, sealedPrefix) {
			e.Value = v.Seal(e.Value)
		}
	})
	return out
}

// OpenSpec returns a copy of spec with every sealed value opened.
func (v *Vault) OpenSpec(spec *godo.AppSpec) (*godo.AppSpec, error) {
	out := docloud.CopySpec(spec)
	var err error
	docloud.ForEachEnv(out, func(e *godo.AppVariableDefinition) {
		if err == nil {
			e.Value, err = v.Open(e.Value)
		}
	})
	return out, err
}
