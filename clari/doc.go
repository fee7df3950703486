// Package clari is a client for Clari's forecast export API and a reader
// of the exports it produces.
//
// # Exports
//
// An export is asynchronous: [Client.StartExport] returns a job id,
// [Client.WaitJob] polls the job until it ends and [Client.Download]
// fetches the results. [Client.Export] does all three, decodes the JSON
// and checks it. Every started export uses one export of the org's
// monthly quota, so store the job id (ExportOptions.OnJobStarted) and pass
// it back as ExportOptions.ResumeJobID when a run is retried.
//
// # Errors
//
// Non-2xx responses are *[APIError] values. Match the common cases with
// [errors.Is]: [ErrQuotaReached], [ErrNoOptIn], [ErrUnauthorized],
// [ErrRateLimited]. Jobs that end badly return *[JobError] ([ErrJobFailed],
// [ErrJobCancelled], [ErrJobAborted]); the checks of [Client.Export] return
// [ErrPeriodMismatch], [ErrTruncated], [ErrTooLarge], [ErrIncompleteBody]
// and [ErrInvalidExport].
//
// # Retries, rate and logging
//
// Requests go through go-retryablehttp with this package's policy: 429
// waits for the time that Retry-After requests, 20 s when it is missing,
// capped by [WithRetry]. GET requests are also retried on 5xx and
// connection errors. The export POST is retried only on 429 and on dial
// errors. A
// rate limiter ([WithRateLimit]) paces every attempt. The client logs
// retries and job polls to the *slog.Logger of [WithLogger] and nothing
// by default. The API key is sent only in the apikey header and never
// appears in a URL, error or log line.
//
// The sub-package claritest emulates the API for tests and demos.
package clari
