package copilot_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

func ExampleNewHandler() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	v, err := copilot.NewVerifier([]string{secret}, nil)
	if err != nil {
		panic(err)
	}
	h := copilot.NewHandler(v, copilot.HandlerFunc(func(ctx context.Context, e copilot.Event) error {
		if e, ok := e.(*copilot.CallCompleted); ok {
			fmt.Printf("%s: call %s is %s (%d raw bytes)\n", e.Type(), e.Call.ID, e.Call.Status, len(copilot.RawBody(ctx)))
		}
		return nil
	}), nil)

	// Sign a delivery as a sender would, and pass it to the handler.
	signer, err := copilot.NewSigner(secret)
	if err != nil {
		panic(err)
	}
	body := []byte(`{"type":"call.completed","data":{"call":{"id":"c-42","status":"PROCESSED"}}}`)
	for range 2 { // the second copy is a replay: acknowledged, not handled
		req := httptest.NewRequest(http.MethodPost, "/copilot/events", bytes.NewReader(body))
		req.Header = signer.Sign("msg_1", time.Now(), body)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// call.completed: call c-42 is PROCESSED (76 raw bytes)
	// 204
	// 204
}
