package copilot

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// secretPrefix marks a Standard Webhooks secret: base64 after the prefix.
const secretPrefix = "whsec_"

// parseSecret returns the HMAC key of a signing secret. A secret with the
// prefix whsec_ is base64, padded or not, after the prefix; any other
// secret is the key itself. Errors describe the secret by its length only.
func parseSecret(secret string) ([]byte, error) {
	if secret == "" {
		return nil, fmt.Errorf("%w: the secret is empty", ErrInvalidSecret)
	}
	encoded, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return []byte(secret), nil
	}
	enc := base64.StdEncoding
	if !strings.HasSuffix(encoded, "=") && len(encoded)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	key, err := enc.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: the %d characters after %s are not valid base64",
			ErrInvalidSecret, len(encoded), secretPrefix)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: the secret is %s with no key after it", ErrInvalidSecret, secretPrefix)
	}
	return key, nil
}
