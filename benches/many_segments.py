#!/usr/bin/env python3
"""Writes a journey with N segments (equal shares, adding up to exactly 100%) to stdout:
the input of the resource measurements in docs/performance.md.

    python3 benches/many_segments.py 100000 > /tmp/big.journey
"""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
# Shares in millionths of a percent so that they add up to 100% exactly.
unit = 100_000_000  # 100% in millionths of a percent
base, extra = divmod(unit, n)
print("journey big {")
print("  channel web digital")
for k in range(n):
    share = base + (1 if k < extra else 0)
    print(f"  segment s{k} {{ share {share // 1_000_000}.{share % 1_000_000:06d}% }}")
print("  stage s {")
print("    touchpoint a on web { entry duration 1m..5m -> b 50% -> exit }")
print("    touchpoint b on web { goal done }")
print("  }")
print("}")
