//! Runs one job per item on a few threads and returns the results in the items' order,
//! so that output is the same whatever the number of threads.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `items.iter().map(job)` on up to `threads` threads. Each thread takes the next item not
/// yet taken, so a long job does not hold up the others.
pub fn map_in_threads<T: Sync, R: Send>(items: &[T], threads: usize, job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(job).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(at) else { break };
                    let result = job(item);
                    results.lock().unwrap_or_else(|poisoned| poisoned.into_inner())[at] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .map(|result| result.expect("every item was taken by a thread that finished"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::map_in_threads;

    #[test]
    fn results_keep_the_order_of_the_items_whatever_the_threads() {
        let items: Vec<u64> = (0..50).collect();
        // Later items finish first: a thread that took an early item works longer.
        let job = |n: &u64| {
            std::thread::sleep(std::time::Duration::from_micros(50 * (50 - n)));
            n * n
        };
        let one = map_in_threads(&items, 1, job);
        for threads in [2, 3, 8, 100] {
            assert_eq!(map_in_threads(&items, threads, job), one, "{threads} threads");
        }
        assert_eq!(one[7], 49);
        assert!(map_in_threads(&Vec::<u64>::new(), 4, job).is_empty());
    }
}
