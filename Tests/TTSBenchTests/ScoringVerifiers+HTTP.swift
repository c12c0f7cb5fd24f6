import Foundation
import TTSModels
import TTSSuite
import TTSVerifiers

// The reward and PRM verifiers as the runtime builds them: connected over HTTP.
extension RewardEndpointVerifier {
    convenience init(name: String, parameters: RewardEndpointParameters,
                     environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(name: name, parameters: parameters, endpoints: HTTPScoringEndpoints(), environment: environment)
    }
}

extension ProcessRewardEndpointVerifier {
    convenience init(name: String, parameters: PRMEndpointParameters,
                     environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(name: name, parameters: parameters, endpoints: HTTPScoringEndpoints(), environment: environment)
    }
}
