#include "drfm/app/signals.hpp"

#include "drfm/core/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

namespace drfm::app {
namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void record_signal(int signal) { received = signal; }

}  // namespace

void install_stop_handlers() {
    struct sigaction action {};
    action.sa_handler = record_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGTERM, SIGUSR1})
        DRFM_CHECK(sigaction(signal, &action, nullptr) == 0, Error, "sigaction(",
                   signal_name(signal), ") failed: ", std::strerror(errno));
}

int stop_signal() noexcept { return received; }

void reset_stop_signal() noexcept { received = 0; }

std::string signal_name(int signal) {
    if (signal == SIGTERM) return "SIGTERM";
    if (signal == SIGUSR1) return "SIGUSR1";
    return "signal " + std::to_string(signal);
}

}  // namespace drfm::app
