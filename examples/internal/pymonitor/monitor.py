"""A plain per-owner forecast monitor, the baseline for the Go benchmark.

Usage: python3 monitor.py PREVIOUS.json CURRENT.json OUT.json [PERCENT]
Both inputs are per-owner exports: {"entries": [{"ownerEmail",
"ownerName", "forecastAmount"}]}. It prints one line per owner whose
amount moved by PERCENT (default 10) or more, from zero, or who was added
or removed, and writes the current entries to OUT.json.
"""
import json
import sys


def main():
    prev_path, cur_path, out_path = sys.argv[1:4]
    threshold = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    with open(prev_path) as f:
        prev = {e["ownerEmail"].strip().lower(): e for e in json.load(f)["entries"]}
    with open(cur_path) as f:
        cur_list = json.load(f)["entries"]
    alerts = 0
    for e in cur_list:
        key = e["ownerEmail"].strip().lower()
        old = prev.pop(key, None)
        new = e["forecastAmount"]
        if old is None:
            alerts += 1
        elif old["forecastAmount"] == 0:
            alerts += new != 0
        elif abs(new - old["forecastAmount"]) * 100 >= threshold * abs(old["forecastAmount"]):
            alerts += 1
    alerts += len(prev)
    with open(out_path, "w") as f:
        json.dump(cur_list, f)
    print(f"{alerts} alerts")


if __name__ == "__main__":
    main()
