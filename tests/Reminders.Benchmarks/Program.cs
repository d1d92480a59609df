using Reminders.Benchmarks;

// dotnet run -c Release --project tests/Reminders.Benchmarks -- [enrollment|scheduler|delivery|delivery-burst|delivery-rate [reminders]|dosage [officers]|console]
//   or -- chaos [--seed N] [--reminders N] [--no-restarts] (deploy/chaos.sh: fault injection, not a benchmark)
var which = args.Length > 0 ? args[0] : "all";
if (which == "chaos") return await ChaosCommand.RunAsync(args[1..], Console.Out);
var reminders = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 100_000;
var table = new BenchmarkTable();
if (which is "all" or "enrollment") await EnrollmentBenchmarks.RunAsync(table, Console.Out);
if (which is "all" or "scheduler") SchedulerBenchmarks.Run(table, Console.Out);
if (which is "all" or "delivery" or "delivery-burst" or "delivery-rate")
    await DeliveryBenchmarks.RunAsync(table, Console.Out, reminders, burst: which != "delivery-rate", rateLimited: which != "delivery-burst");
if (which is "all" or "console") await ConsoleBenchmarks.RunAsync(table, Console.Out);
if (which is "all" or "dosage") await DosageBenchmarks.RunAsync(table, Console.Out, which == "dosage" && args.Length > 1 ? reminders : 100_000);
table.Print(Console.Out);
return table.AllMet ? 0 : 1;
