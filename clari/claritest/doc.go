// Package claritest is an in-process emulator of Clari's forecast export
// API, for tests and demos.
//
// A [Server] listens on 127.0.0.1, checks the apikey header, runs export
// jobs that move from SCHEDULED through STARTED to DONE as they are polled,
// serves a scripted sequence of exports (each new job returns the next
// one) and injects faults on request: 429 with or without Retry-After,
// 500 and 503, the quota error, FAILED jobs, a period fallback, truncated
// bodies, slow jobs and truncation flags. It records every request so that
// a test can count, for example, how many exports were started.
//
// The server works outside tests too (pass a nil testing.TB), for demos
// that need a real HTTP endpoint. It logs nothing and never prints its
// API key.
package claritest
