using Intake.Cli;

return await IntakeCommand.RunAsync(args, Console.Out, Console.Error);
