<?php
/**
 * Timing shared by the in-process benchmarks.
 *
 * This is a 2-core VM shared with other jobs: its speed drifts by tens of
 * percent within a minute. So cases are measured interleaved, round after
 * round (every case once per round), and each case's best round counts:
 * the cases compared in one table always ran under the same conditions.
 */

/**
 * ns per operation for each case.
 *
 * @param array<string, callable(int): void> $cases name => fn($n) running $n operations in a plain loop
 *                                                  (so no closure call is counted per operation)
 * @return array<string, float> name => best ns per operation
 */
function bench_ns_per_op(array $cases, float $seconds_per_case, int $rounds = 7): array
{
    $counts = [];
    foreach ($cases as $name => $run) { // calibrate: about $seconds_per_case / $rounds per round
        $n = 1;
        while (true) {
            $t = hrtime(true);
            $run($n);
            $dt = hrtime(true) - $t;
            if ($dt > 2e7) {
                break;
            }
            $n *= 2;
        }
        $counts[$name] = max(1, (int) ($n * ($seconds_per_case / $rounds) / ($dt / 1e9)));
    }
    $best = array_fill_keys(array_keys($cases), INF);
    for ($round = 0; $round < $rounds; $round++) {
        foreach ($cases as $name => $run) {
            $t = hrtime(true);
            $run($counts[$name]);
            $best[$name] = min($best[$name], (hrtime(true) - $t) / $counts[$name]);
        }
    }
    return $best;
}
