// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the test binaries: a deadlock guard that fails fast even without ctest's timeout.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>
#include <utility>

namespace auralis::test_support {

/// Runs `f` on a helper thread and aborts the whole binary (naming `who`) if it does not finish
/// within `limit`; rethrows what `f` throws.
template <class F>
void run_with_watchdog(const char* who, std::chrono::seconds limit, F&& f) {
  std::packaged_task<void()> task(std::forward<F>(f));
  std::future<void> done = task.get_future();
  std::thread worker(std::move(task));
  if (done.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "%s: watchdog expired after %lld s (deadlock?)\n", who,
                 static_cast<long long>(limit.count()));
    std::abort();
  }
  worker.join();
  done.get();
}

}  // namespace auralis::test_support
