package snapshot_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/snapshot"
)

// Environment variables that turn the test binary into a child process for
// the crash and multi-process tests.
const (
	childModeEnv     = "SNAPSHOT_TEST_CHILD"
	childDirEnv      = "SNAPSHOT_TEST_DIR"
	childExpectedEnv = "SNAPSHOT_TEST_EXPECTED"
	childIDEnv       = "SNAPSHOT_TEST_ID"
)

var crashKey = snapshot.Key{ForecastID: "crash", TimePeriod: "2026-Q1", Scope: "org", Currency: "USD"}

func TestMain(m *testing.M) {
	var err error
	switch os.Getenv(childModeEnv) {
	case "":
		os.Exit(m.Run())
	case "crash":
		err = crashChild(context.Background(), os.Getenv(childDirEnv))
	case "advance":
		err = advanceChild(context.Background(), os.Getenv(childDirEnv))
	default:
		err = fmt.Errorf("unknown %s", childModeEnv)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// crashChild puts snapshots and advances the head until it is killed. It
// prints "ready" once the store is open and each new head id after the
// Advance returned.
func crashChild(ctx context.Context, dir string) error {
	s, err := snapshot.OpenFileStore(ctx, dir, nil)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		head, err := s.Head(ctx, crashKey)
		if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
			return err
		}
		body := strings.Repeat(fmt.Sprintf("row %d %d\n", i, rand.Int()), rand.IntN(20000))
		m, err := s.Put(ctx, snapshot.Meta{Key: crashKey, ParentID: head.ID, RowCount: i},
			strings.NewReader(body))
		if err != nil {
			return err
		}
		if err := s.Advance(ctx, crashKey, head.ID, m.ID); err != nil {
			return err
		}
		fmt.Println(m.ID)
		if i%4 == 0 {
			if _, err := s.Prune(ctx, crashKey, snapshot.Retention{KeepLast: 3}); err != nil {
				return err
			}
		}
	}
}

// advanceChild opens the store, prints "ready", waits for a line on stdin,
// tries one Advance and prints "won", "conflict" or the error.
func advanceChild(ctx context.Context, dir string) error {
	s, err := snapshot.OpenFileStore(ctx, dir, nil)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return err
	}
	err = s.Advance(ctx, crashKey, os.Getenv(childExpectedEnv), os.Getenv(childIDEnv))
	switch {
	case err == nil:
		fmt.Println("won")
	case errors.Is(err, snapshot.ErrConflict):
		fmt.Println("conflict")
	default:
		fmt.Println("error:", err)
	}
	return nil
}
