package copilot_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/clariwatch/clariwatch/copilot"
)

// BenchmarkVerify compares Verifier.Verify with a bare HMAC-SHA256 of the
// same bytes (id.timestamp.body) through one reused MAC, the least work
// any verifier must do. Run it with -benchmem and compare the impl
// columns with benchstat -col /impl.
func BenchmarkVerify(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		body := bytes.Repeat([]byte("a"), size)
		name := "size=" + strconv.Itoa(size>>10) + "KiB"
		b.Run(name+"/impl=hmac", func(b *testing.B) { benchBareHMAC(b, body) })
		b.Run(name+"/impl=verify", func(b *testing.B) { benchVerify(b, body) })
	}
}

// BenchmarkVerifyPaired runs the bare HMAC and Verify in alternating
// batches within one benchmark and reports their ratio in thread CPU time
// (on Linux), so that load from other processes, which shifts the wall
// time of separate benchmark runs, affects both sides alike.
func BenchmarkVerifyPaired(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		body := bytes.Repeat([]byte("a"), size)
		b.Run("size="+strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			bare := bareHMAC(body)
			v := newSWVerifier(b, swSecret)
			signer, err := copilot.NewSigner(swSecret)
			if err != nil {
				b.Fatal(err)
			}
			h := signer.Sign(swID, time.Unix(swTS, 0), body)
			// Batches of about 1 MiB keep the cost of reading the clock
			// out of the ratio.
			batch := max(1, (1<<20)/size)
			var bareTime, verifyTime time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := threadCPUTime()
				for range batch {
					bare()
				}
				mid := threadCPUTime()
				for range batch {
					if _, err := v.Verify(h, body); err != nil {
						b.Fatal(err)
					}
				}
				verifyTime += threadCPUTime() - mid
				bareTime += mid - start
			}
			ops := float64(b.N * batch)
			b.ReportMetric(float64(bareTime.Nanoseconds())/ops, "hmac-ns/op")
			b.ReportMetric(float64(verifyTime.Nanoseconds())/ops, "verify-ns/op")
			b.ReportMetric(float64(verifyTime)/float64(bareTime), "verify/hmac")
		})
	}
}

// bareHMAC returns a function that computes HMAC-SHA256 over
// id.timestamp.body through one reused MAC.
func bareHMAC(body []byte) func() {
	key := []byte("0123456789abcdef0123456789abcdef")
	mac := hmac.New(sha256.New, key)
	prefix := []byte(swID + "." + strconv.Itoa(swTS) + ".")
	var sum [sha256.Size]byte
	return func() {
		mac.Reset()
		mac.Write(prefix)
		mac.Write(body)
		mac.Sum(sum[:0])
	}
}

func benchBareHMAC(b *testing.B, body []byte) {
	bare := bareHMAC(body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		bare()
	}
}

func benchVerify(b *testing.B, body []byte) {
	signer, err := copilot.NewSigner(swSecret)
	if err != nil {
		b.Fatal(err)
	}
	v := newSWVerifier(b, swSecret)
	h := signer.Sign(swID, time.Unix(swTS, 0), body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandler measures one signed delivery through the http.Handler,
// without a network: reading the body, verifying, decoding the event and
// reserving its id. Each iteration uses a new id, so the replay cache
// grows by one entry per iteration.
func BenchmarkHandler(b *testing.B) {
	clock := newFakeClock(testNow)
	v, err := copilot.NewVerifier([]string{testSecret}, &copilot.VerifierOptions{Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	signer, err := copilot.NewSigner(testSecret)
	if err != nil {
		b.Fatal(err)
	}
	cache := copilot.NewMemoryReplayCache(1<<30, clock.Now)
	h := copilot.NewHandler(v, copilot.HandlerFunc(noopHandler), &copilot.HandlerOptions{ReplayCache: cache})
	body := eventBody(copilot.EventCallCompleted, "c1")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header = signer.Sign("msg_"+strconv.Itoa(i), clock.Now(), body)
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		if rr.Code != http.StatusNoContent {
			b.Fatalf("status = %d, want 204", rr.Code)
		}
	}
}

func noopHandler(context.Context, copilot.Event) error { return nil }
