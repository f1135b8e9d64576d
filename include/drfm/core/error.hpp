#pragma once
/// @file
/// The one error hierarchy of drfm_hpc. Every failure a user can cause or meet becomes one of these
/// types; `main` maps the type to an exit code (docs/errors.md).
#include <stdexcept>
#include <string>
#include <sstream>

namespace drfm {

/// Exit codes of the program, by failure kind. 75 (EX_TEMPFAIL) means "stopped early, requeue me".
enum class ExitCode : int {
    ok = 0,
    internal = 1,
    input = 2,      ///< configuration, command line, input data, existing output
    numerical = 3,  ///< failed factorisation, residual check, non-finite result
    resource = 4,   ///< memory plan exceeds the node
    io = 5,         ///< HDF5 or file-system failure while writing results
    mpi = 6,        ///< an MPI or BLACS call failed
    requeue = 75,   ///< stopped at a layer boundary by a signal or the wall-time budget
};

/// Base of all drfm errors: a message plus the source location that raised it.
class Error : public std::runtime_error {
public:
    Error(const std::string& what, const char* file, int line, ExitCode code = ExitCode::internal)
        : std::runtime_error(what), file_(file), line_(line), code_(code) {}
    const char* file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    ExitCode exit_code() const noexcept { return code_; }
    /// True when every rank of the job raised this same error together (after a reduction), so
    /// one rank may report it and all may exit normally instead of aborting.
    bool is_collective() const noexcept { return collective_; }
    void mark_collective() noexcept { collective_ = true; }

private:
    const char* file_;
    int line_;
    ExitCode code_;
    bool collective_ = false;
};

/// `throw collective(SomeError(...))`: the error is raised on all ranks together.
template <class E>
E collective(E error) {
    error.mark_collective();
    return error;
}

#define DRFM_DEFINE_ERROR(Name, code)                                                      \
    class Name : public Error {                                                           \
    public:                                                                               \
        Name(const std::string& what, const char* file = "", int line = 0)                \
            : Error(what, file, line, code) {}                                            \
    }

/// A bad key, value or command-line override (message names the key, file and line).
DRFM_DEFINE_ERROR(ConfigError, ExitCode::input);
/// Bad input data: unreadable, truncated or inconsistent file, NaN, labels out of range.
DRFM_DEFINE_ERROR(InputDataError, ExitCode::input);
/// A ScaLAPACK/LAPACK routine returned info != 0 (message names routine and meaning).
DRFM_DEFINE_ERROR(ScalapackError, ExitCode::numerical);
/// A numerical check failed: residual too large, matrix not positive definite, NaN result.
DRFM_DEFINE_ERROR(NumericalError, ExitCode::numerical);
/// The planned memory exceeds what the node has.
DRFM_DEFINE_ERROR(ResourceError, ExitCode::resource);
/// An HDF5 call or a file-system operation on the results failed.
DRFM_DEFINE_ERROR(Hdf5Error, ExitCode::io);
/// An MPI or BLACS call failed.
DRFM_DEFINE_ERROR(MpiError, ExitCode::mpi);
/// The run was stopped at a layer boundary (signal or wall-time budget); state is on disk.
DRFM_DEFINE_ERROR(StopRequested, ExitCode::requeue);
#undef DRFM_DEFINE_ERROR

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
    std::ostringstream os;
    (os << ... << args);
    return os.str();
}
}  // namespace detail

}  // namespace drfm

/// Always-on check for anything a user or the data can trigger: throws ErrorType with the message.
#define DRFM_CHECK(cond, ErrorType, ...)                                                   \
    do {                                                                                   \
        if (!(cond)) throw ErrorType(::drfm::detail::concat(__VA_ARGS__), __FILE__, __LINE__); \
    } while (0)

/// Throw ErrorType with a message assembled from the arguments.
#define DRFM_THROW(ErrorType, ...) throw ErrorType(::drfm::detail::concat(__VA_ARGS__), __FILE__, __LINE__)
