using Reminders.Benchmarks;

// dotnet run -c Release --project tests/Reminders.Benchmarks -- [enrollment|scheduler]
var which = args.Length > 0 ? args[0] : "all";
var table = new BenchmarkTable();
if (which is "all" or "enrollment") await EnrollmentBenchmarks.RunAsync(table, Console.Out);
if (which is "all" or "scheduler") SchedulerBenchmarks.Run(table, Console.Out);
table.Print(Console.Out);
return table.AllMet ? 0 : 1;
