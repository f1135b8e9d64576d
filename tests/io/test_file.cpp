#include "drfm/io/file.hpp"

#include "io_test_paths.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace drfm::io {

namespace fs = std::filesystem;

TEST(FileTest, CreateRefusesAnExistingFileOnEveryRank) {
    auto comm = test::world();
    const std::string path = test::io_test_path("refuse");
    File::create(comm, path, true).close();

    bool threw = false;
    try {
        File::create(comm, path, false);
    } catch (const Error& e) {
        threw = true;
        std::string message = e.what();
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        EXPECT_NE(message.find("'" + path + "'"), std::string::npos) << message;
        EXPECT_NE(message.find("output.overwrite=true"), std::string::npos) << message;
    }

    EXPECT_TRUE(threw);
    EXPECT_EQ(comm.sum(threw ? 1 : 0), comm.size());
}

TEST(FileTest, OverwriteReplacesAnExistingFile) {
    auto comm = test::world();
    const std::string path = test::io_test_path("overwrite");
    File::create(comm, path, true).close();

    auto file = File::create(comm, path, true);

    EXPECT_TRUE(file.is_open());
    EXPECT_EQ(file.path(), path);
}

TEST(FileTest, CreateMakesMissingParentDirectories) {
    auto comm = test::world();
    const std::string dir = "io_nested_np" + std::to_string(comm.size());
    if (comm.is_root()) fs::remove_all(dir);
    comm.barrier();
    const std::string path = dir + "/a/b/results.h5";

    File::create(comm, path, false).close();

    EXPECT_TRUE(fs::is_regular_file(path));
}

TEST(FileTest, OpeningAMissingFileIsACollectiveInputError) {
    auto comm = test::world();

    try {
        File::open(comm, "io_does_not_exist.h5", OpenMode::read_only);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        EXPECT_NE(std::string(e.what()).find("io_does_not_exist.h5"), std::string::npos);
    }
}

}  // namespace drfm::io
