package copilot_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

func ExampleSigner() {
	signer, err := copilot.NewSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	h := signer.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	fmt.Println(h.Get("webhook-timestamp"))
	fmt.Println(h.Get("webhook-signature"))
	// Output:
	// 1614265330
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

func ExampleVerifier_Verify() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sent := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return sent.Add(10 * time.Minute) }

	v, err := copilot.NewVerifier([]string{secret}, &copilot.VerifierOptions{Now: clock})
	if err != nil {
		panic(err)
	}
	signer, err := copilot.NewSigner(secret)
	if err != nil {
		panic(err)
	}
	body := []byte(`{"type":"call.completed"}`)
	h := signer.Sign("msg_1", sent, body)

	_, err = v.Verify(h, body)
	fmt.Println(errors.Is(err, copilot.ErrTooOld))
	_, err = v.Verify(h, []byte(`{"type": "call.completed"}`))
	fmt.Println(errors.Is(err, copilot.ErrBadSignature))
	// Output:
	// true
	// true
}
