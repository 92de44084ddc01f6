# The post-analytics script of every monitoring execution: called once the analysis is done.
def postprocess_handler():
    print("Hello from post-proc script!")
