// The broker-outage test stops RabbitMQ for the whole machine; nothing else in this assembly may run meanwhile.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
