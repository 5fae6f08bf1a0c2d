using NodaTime;
using Tenure.Bench;

// The executable's edge is where the real clock is chosen (the quiet horizon seeds around now).
return BenchCommand.Run(args, Console.Out, Console.Error, SystemClock.Instance);
