-- wrk: POST a chat-completion request body (the same size as the clients send).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"max_tokens":256,"messages":[{"content":"Solve the problem. Put the final answer in \\\\boxed{}.\\n\\nCompute $123 + 61$.","role":"user"}],"model":"canned","seed":1234567,"temperature":0.8,"top_p":1.0}'
