package commands

// StandardCommandsForTest is the standard command table, for parse tests.
var StandardCommandsForTest = standardCommands
