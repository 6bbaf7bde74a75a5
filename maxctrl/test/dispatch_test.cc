// Finding commands, their options and argument counts, and the help texts.
#include "dispatch.hh"

#include <gtest/gtest.h>

using namespace maxctrl;

namespace
{

std::string error_of(const std::vector<std::string>& words)
{
    try
    {
        match_command(words, false);
    }
    catch (const Error& e)
    {
        return e.what();
    }
    return "";
}

}  // namespace

class Dispatch : public ::testing::Test
{
protected:
    void SetUp() override { register_all(); }
};

TEST_F(Dispatch, FindsCommandsAndArguments)
{
    Match m = match_command({"set", "server", "s1", "maintenance", "--force"}, false);
    ASSERT_TRUE(m.command);
    EXPECT_EQ(m.command->words, (std::vector<std::string>{"set", "server"}));
    EXPECT_EQ(m.args.positional, (std::vector<std::string>{"s1", "maintenance"}));
    EXPECT_TRUE(m.args.has("force"));
}

TEST_F(Dispatch, ListOptionsTakeWordsUpToTheNextOption)
{
    Match m = match_command({"create", "service", "S", "readconnroute", "user=u", "--servers", "a",
                             "b", "--filters", "F", "--cluster=M", "password=p"},
                            false);
    EXPECT_EQ(m.args.values("servers"), (std::vector<std::string>{"a", "b"}));
    // A list ends at the next option: "password=p" after --cluster=M is positional again
    // (right after "--servers a b" it would have been a server name, as in yargs).
    EXPECT_EQ(m.args.values("filters"), (std::vector<std::string>{"F"}));
    EXPECT_EQ(m.args.value("cluster"), "M");
    EXPECT_EQ(m.args.positional,
              (std::vector<std::string>{"S", "readconnroute", "user=u", "password=p"}));
}

TEST_F(Dispatch, Errors)
{
    EXPECT_NE(error_of({"lsit", "servers"}).find("Unknown command 'lsit'"), std::string::npos);
    EXPECT_NE(error_of({"list", "bananas"}).find("Unknown command 'list bananas'"),
              std::string::npos);
    EXPECT_NE(error_of({"list"}).find("needs a command"), std::string::npos);
    EXPECT_NE(error_of({"show", "server"}).find("Not enough arguments"), std::string::npos);
    EXPECT_NE(error_of({"show", "server", "a", "b"}).find("Too many arguments"), std::string::npos);
    EXPECT_NE(error_of({"list", "servers", "--bogus"}).find("Unknown option '--bogus'"),
              std::string::npos);
    EXPECT_NE(error_of({"list", "servers", "-x"}).find("Unknown option '-x'"), std::string::npos);
    EXPECT_NE(error_of({"create", "user", "u", "p", "--type"}).find("--type needs a value"),
              std::string::npos);
}

TEST_F(Dispatch, EveryCommandHasHelp)
{
    std::string main = main_help();
    for (const Verb& v : verbs())
    {
        EXPECT_NE(main.find("  " + v.name + " "), std::string::npos) << v.name;
        std::string vh = verb_help(v);
        ASSERT_FALSE(v.commands.empty()) << v.name;
        for (const Command& c : v.commands)
        {
            EXPECT_FALSE(c.summary.empty());
            EXPECT_NE(vh.find(c.words[0] + " " + c.words[1]), std::string::npos);
            std::string ch = command_help(c);
            EXPECT_EQ(ch.rfind("Usage: maxctrl " + c.words[0] + " " + c.words[1], 0), 0u) << ch;
            for (const FlagSpec& f : c.flags)
            {
                EXPECT_NE(ch.find("--" + f.name), std::string::npos);
            }
            Match m = match_command(c.words, true);
            EXPECT_EQ(m.command, &c);
        }
    }
}

TEST_F(Dispatch, TheIssuesCommandsExist)
{
    for (std::vector<std::string> words :
         std::vector<std::vector<std::string>>{{"list", "servers"},
                                               {"list", "services"},
                                               {"list", "listeners"},
                                               {"list", "monitors"},
                                               {"list", "sessions"},
                                               {"list", "filters"},
                                               {"list", "modules"},
                                               {"list", "threads"},
                                               {"list", "users"},
                                               {"list", "commands"},
                                               {"show", "server"},
                                               {"show", "servers"},
                                               {"show", "maxscale"},
                                               {"show", "logging"},
                                               {"show", "commands"},
                                               {"set", "server"},
                                               {"clear", "server"},
                                               {"enable", "log-priority"},
                                               {"disable", "log-priority"},
                                               {"create", "server"},
                                               {"create", "monitor"},
                                               {"create", "service"},
                                               {"create", "filter"},
                                               {"create", "listener"},
                                               {"create", "user"},
                                               {"destroy", "session"},
                                               {"destroy", "listener"},
                                               {"link", "service"},
                                               {"unlink", "monitor"},
                                               {"start", "services"},
                                               {"stop", "maxscale"},
                                               {"alter", "listener"},
                                               {"rotate", "logs"},
                                               {"reload", "service"},
                                               {"call", "command"},
                                               {"api", "get"},
                                               {"api", "post"},
                                               {"api", "patch"}})
    {
        EXPECT_TRUE(match_command(words, true).command) << words[0] << " " << words[1];
    }
}
