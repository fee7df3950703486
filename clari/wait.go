package clari

import (
	"context"
	"fmt"
	"time"
)

// WaitJob polls job jobID until it ends and returns its final state. The
// first poll is immediate. The wait between polls starts at the interval
// set with [WithPollInterval], grows by half after each poll up to its
// cap, and varies by ±20% so that many clients do not poll in step. Each
// poll logs one line at Info level. WaitJob returns when the job is DONE,
// returns a *[JobError] when it ends FAILED, CANCELLED or ABORTED, and
// otherwise polls until ctx is done: set a deadline on ctx to bound the
// wait.
func (c *Client) WaitJob(ctx context.Context, jobID string) (*Job, error) {
	delay := c.pollInitial
	for poll := 1; ; poll++ {
		job, err := c.JobStatus(ctx, jobID)
		if err != nil {
			return nil, err
		}
		if job.Status.Terminal() {
			c.log.InfoContext(ctx, "clari: export job finished",
				"job_id", jobID, "status", string(job.Status), "poll", poll)
			if job.Status != StatusDone {
				return nil, &JobError{JobID: jobID, Status: job.Status, Job: job}
			}
			return job, nil
		}
		wait := time.Duration(float64(delay) * (0.8 + 0.4*c.jitter()))
		c.log.InfoContext(ctx, "clari: export job running",
			"job_id", jobID, "status", string(job.Status), "poll", poll, "next_poll_in", wait)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("clari: waiting for export job %s (last status %s): %w", jobID, job.Status, err)
		}
		delay = min(delay+delay/2, c.pollMax)
	}
}
