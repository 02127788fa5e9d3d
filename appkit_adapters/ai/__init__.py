"""AI providers behind one port (:mod:`appkit_adapters.ai.port`); third-party SDKs are optional extras."""
